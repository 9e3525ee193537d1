// ImageIO: placeholder until its stage lands.
