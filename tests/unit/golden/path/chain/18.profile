# end of the chain
signal host
