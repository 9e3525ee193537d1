// CPNG: libpng 1.6 (the simplified png_image API needs no setjmp).
#include <png.h>
