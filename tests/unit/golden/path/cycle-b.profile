include cycle-a
