# tcp endpoints, canonical forms
tcp connect 127.0.0.1:5432
tcp connect [::1]:5432
tcp connect localhost:6379
tcp connect [0:0:0:0:0:0:0:1]:0080
tcp connect 10.1.2.3:65535
tcp listen 8080
tcp listen 127.0.0.1:8081
tcp listen [::]:1
tcp listen localhost:9000
