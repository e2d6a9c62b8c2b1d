"""Supervisors that run servers in child processes: reloaders and multiprocess workers."""
