"""Rebuild the site search index from the products and published stories."""

import time

from django.core.management.base import BaseCommand

from shop.search import documents


class Command(BaseCommand):
    help = "重建站内搜索索引（产品和已发布的故事）。"

    def handle(self, *args, **options):
        started = time.monotonic()
        products, stories = documents.rebuild(log=lambda m: self.stdout.write(m))
        self.stdout.write(
            self.style.SUCCESS(
                f"搜索索引已重建：{products} 件产品，{stories} 篇故事，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
