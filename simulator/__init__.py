"""A simulated fleet that speaks real IEEE 2030.5 to a derms server over mutual TLS.

Each simulated client (``client``) holds a dev-PKI certificate: a direct DER reports for itself, an
aggregator for every DER the server lists for it. Each walks from /dcap, polls at the pollRate it is served,
reports DERStatus and MirrorMeterReadings at the postRate with output that follows the controls in force
(``der``), raises and clears alarms now and then, answers events with Responses, and (aggregators)
subscribes with its own HTTPS receiver (``receiver``) when the server offers a SubscriptionList. ``fleet``
runs them for a bounded time and request count; ``manage.py simulate`` is its command line.
"""
