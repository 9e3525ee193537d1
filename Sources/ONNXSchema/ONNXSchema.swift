// ONNXSchema: placeholder until its stage lands.
