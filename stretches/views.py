from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView, ListView

from .models import Guide, Keyword, Stretch


def home(request):
    """The clinic's home page: its main guide, in full."""
    guide = Guide.objects.with_content().homepage()
    if guide is None:
        return render(request, "stretches/no_guide.html", status=200)
    return render(request, "stretches/guide_detail.html", {"guide": guide})


class GuideDetailView(DetailView):
    queryset = Guide.objects.published().with_content()
    context_object_name = "guide"


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
