"""The Streamlit app's user interface: one module per tab, the state model and its edits.

``streamlit_app.py`` is the entry (page config, sidebar, tab registry). The state
model is written down in :mod:`ui.state`, every edit in :mod:`ui.edits`. A tab
module has ``render(ctx: ui.state.TabContext)``. Only this package imports
Streamlit; all logic lives in ``sim/``.
"""
