network host
