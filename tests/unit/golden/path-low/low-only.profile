# only on the lower-priority directory
mqueue open /low-only
