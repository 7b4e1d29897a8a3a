"""The lab's provisioning server: HTTPS with Basic authentication in front of a directory."""
