import markdown
import nh3


def markdown_to_html(text: str) -> str:
    """Render staff-authored Markdown to HTML that is safe to show on the site."""
    return nh3.clean(markdown.markdown(text, extensions=["extra", "sane_lists"]))
