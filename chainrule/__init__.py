"""chainrule: practice and autograding for the mathematics of neural-network training.

Deliberately empty: ``python -m chainrule`` must be able to clean ``sys.path`` before
anything is imported. The version lives in ``chainrule_core``.
"""
