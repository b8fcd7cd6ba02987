"""What wraps every request: access log, security headers, limits, the response cache, connections, the server."""
