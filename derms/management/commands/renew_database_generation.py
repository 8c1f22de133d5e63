"""``manage.py renew_database_generation``: after editing the database by hand, nothing remembered stands.

Every service records its changes in the change feed, and the 2030.5 API's caches trust it. A change made
behind the services' back (SQL in a console, a restored backup) is not in the feed: this gives the
database a new generation, so every worker on every node looks everything up again on its next request.
``migrate`` does the same after every deployment.
"""

from django.core.management.base import BaseCommand

from derms import changefeed


class Command(BaseCommand):
    help = "Make every 2030.5 server process forget what it remembered (after editing the database by hand)."

    def handle(self, *args, **options):
        changefeed.new_generation()
        self.stdout.write("New database generation: every 2030.5 cache reads afresh from its next request.")
