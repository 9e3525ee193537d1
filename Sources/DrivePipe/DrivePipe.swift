// DrivePipe: placeholder until its stage lands.
