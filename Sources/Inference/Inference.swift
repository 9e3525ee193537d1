// Inference: placeholder until its stage lands.
