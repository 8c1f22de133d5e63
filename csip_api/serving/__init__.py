"""How the 2030.5 API is served: the TLS context of CSIP 5.2.1 and the WSGI server's configuration."""
