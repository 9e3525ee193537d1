// Sources: placeholder until its stage lands.
