"""Tests of the command line, one module per module of ``crmkit.cli``."""
