// Geometry: placeholder until its stage lands.
