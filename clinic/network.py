import ipaddress

from django.conf import settings


def client_ip(request):
    """The address of the person making the request.

    With no proxy in front of the site it is REMOTE_ADDR. Behind
    TRUSTED_PROXY_COUNT proxies, each of which appends the address it received
    the request from to X-Forwarded-For, it is the entry the outermost trusted
    proxy wrote: counted from the right, since anything further left was sent
    by the client and can be forged.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        # Did not come through every proxy: the connection itself is the client.
        return remote_addr
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_network(address):
    """Who a rate limit counts: an IPv4 address on its own, an IPv6 client by
    its /64 (the block one home or phone is given, within which it can pick
    a new address at will), and an IPv4-mapped IPv6 address as the IPv4 one.
    Anything that is not an address is counted as itself."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)
