"""The programs the site ships configured: `arla` and `llama`, one TOML file each.

`files` reads them (plain values); `loading` applies one to the site, a section at a time.
"""
