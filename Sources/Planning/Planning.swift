// Planning: placeholder until its stage lands.
