"""Official statistics cited or read: SSB KOSTRA 12012 (JSON-stat), UDI, Husbanken."""
