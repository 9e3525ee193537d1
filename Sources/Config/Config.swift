// Config: placeholder until its stage lands.
