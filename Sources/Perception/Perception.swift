// Perception: placeholder until its stage lands.
