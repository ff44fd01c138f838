"""chainrule: practice and autograding for the mathematics of neural-network training."""

__version__ = "0.1.0"
