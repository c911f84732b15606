include deep-1
include abstractions/base
