// Tracking: placeholder until its stage lands.
