"""The foundations every part of chainrule stands on: the contract, errors and file writing.

``grader``, ``generator`` and the ``chainrule`` command all import from here and this
package imports none of them, so a student release copies ``grader`` with this package
and nothing else. It needs the standard library only.
"""

__version__ = "0.1.0"
