"""纪案通 (JiAnTong): offline case-handling assistant for township discipline-inspection offices."""

__version__ = "0.1.0"
APP_NAME = "纪案通"
