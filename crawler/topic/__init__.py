"""The seeds' topic profile and relevance scoring of candidate links and extracted articles."""

from crawler.topic.profile import TopicProfile
from crawler.topic.scoring import DEFAULT_MIN_RELEVANCE, score_article, score_candidate

__all__ = ["DEFAULT_MIN_RELEVANCE", "TopicProfile", "score_article", "score_candidate"]
