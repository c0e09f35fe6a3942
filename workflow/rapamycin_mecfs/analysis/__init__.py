"""Outcome analyses: paired tests, repeated measures, responders, attrition, dose-response.

Each function takes tidy tables (a cleaned outcome table, the participant table) and returns tidy
tables whose rows say which analysis set, n, test and method they come from.
"""
