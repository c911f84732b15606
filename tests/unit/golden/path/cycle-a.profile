# a -> b -> a
include cycle-b
