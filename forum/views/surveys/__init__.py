"""Survey pages under one blueprint: answering and public results, and the staff builder."""

from forum.views.surveys import answering, builder
from forum.views.surveys.blueprint import bp

__all__ = ["answering", "bp", "builder"]
