"""Runnable lessons: each writes its pictures under out/ and asserts what it teaches."""
