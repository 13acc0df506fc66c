"""The committee's matching pages, one concept a module. Every page is for whoever runs the
program (`committee_required`); everyone else gets 403 (visitors are sent to log in).
"""
