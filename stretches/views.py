from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.generic import DetailView, ListView

from clinic.models import SiteSettings
from clinic.site_address import absolute_url

from . import drafts, guide_content, structured_data
from .models import Guide, Keyword, Stretch


def _guide_context(request, guide):
    """A guide's page data: the home page's guide has one address, `/`, even
    when it is opened at its own."""
    path = reverse("stretches:home") if guide.is_homepage else guide.get_absolute_url()
    url = absolute_url(path)
    return {
        "guide": guide,
        "canonical_url": url,
        "structured_data": structured_data.article(guide, SiteSettings.current(request), url=url),
    }


def home(request):
    """The clinic's home page: its main guide, in full."""
    guide = guide_content.homepage()
    if guide is None:
        return render(request, "stretches/no_guide.html", status=200)
    guide_content.load_page(guide)
    return render(request, "stretches/guide_detail.html", _guide_context(request, guide))


class GuideDetailView(DetailView):
    queryset = Guide.objects.published()
    context_object_name = "guide"

    def get_object(self, queryset=None):
        return guide_content.load_page(super().get_object(queryset))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**_guide_context(self.request, self.object), **kwargs)


class GuideListView(ListView):
    """Every published guide, the home page's first: the guides' place in
    the site's navigation."""

    queryset = Guide.objects.published()
    context_object_name = "guides"
    template_name = "stretches/guide_list.html"


# A page of summaries a phone can scroll, and whose first render (after each
# content change) costs about the same with 7 stretches as with thousands.
SUMMARIES_PER_PAGE = 24


class StretchListView(ListView):
    # Summaries show no steps or keywords: fetching them would only cost.
    queryset = Stretch.objects.published()
    context_object_name = "stretches"
    paginate_by = SUMMARIES_PER_PAGE


class StretchDetailView(DetailView):
    queryset = Stretch.objects.published().with_details()
    context_object_name = "stretch"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            structured_data=structured_data.how_to(self.object), **kwargs
        )


class KeywordDetailView(ListView):
    """The published stretches tagged with one keyword."""

    template_name = "stretches/keyword_detail.html"
    context_object_name = "stretches"
    paginate_by = SUMMARIES_PER_PAGE

    def get_queryset(self):
        self.keyword = get_object_or_404(Keyword, slug=self.kwargs["slug"])
        return Stretch.objects.published().filter(keywords=self.keyword)

    def get_context_data(self, **kwargs):
        return super().get_context_data(keyword=self.keyword, **kwargs)


def preview_draft(request, token):
    """A draft in the site's design, at a signed address that expires. Never
    cached: the page cache only stores views wrapped in `cached_public_page`,
    and the response says `no-store` to every other cache."""
    draft = drafts.draft_for_preview(token)
    if draft is None or draft.content is None:
        raise Http404("This preview address is wrong or has expired.")
    if isinstance(draft.content, Guide):
        view = GuideDetailView.as_view()
    else:
        view = StretchDetailView.as_view()
    try:
        return drafts.render_preview(request, draft, view)
    except drafts.DraftError as error:
        raise Http404(str(error)) from None
