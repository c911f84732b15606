# Only comments, blank lines, CRLF ends and odd whitespace.

   	
	# indented comment
#no space after the hash
   # trailing spaces   
