# network none is the default; saying it is allowed
network none
