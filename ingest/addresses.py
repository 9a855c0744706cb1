"""Which addresses a feed fetch may reach: the SSRF guard, applied at connect time.

A feed URL is untrusted (typed in by a user, or a redirect chosen by a remote server). Checking
the URL's host before fetching is not enough: DNS can answer differently a moment later
(rebinding), and each redirect hop names a new host. So the check lives in the connection itself:
``GuardedBackend`` is an httpcore network backend that resolves the host once, refuses the host
whole if ``AddressGuard`` refuses any one of its addresses (a name that answers a public and a
private address is refused, whatever the answer order), and connects the socket to exactly those
vetted addresses. The
HTTP ``Host`` header and the TLS SNI/certificate check still use the host name, because httpcore
takes them from the request URL, not from the socket. Every connection of every hop goes through
it, so there is no window between check and connect.

``is_public_address`` decides what "public" means; ``ipaddress.is_global`` alone is wrong for
IPv4-compatible (``::127.0.0.1``), NAT64 (``64:ff9b::a9fe:a9fe``) and 6to4 (``2002:7f00:1::``)
addresses, which embed an IPv4 address that the network may reach.

The ``allow_private_addresses`` setting turns the guard off (feeds on your own network; the test
suite's local server).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

from ingest import config

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Monotonic time after which no socket operation of the current fetch may wait (set by
# ingest.fetch for the duration of one fetch; None: only the per-operation timeouts apply).
io_deadline: ContextVar[float | None] = ContextVar("pantau_io_deadline", default=None)

_V4_BLOCKED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local machine
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
    )
)

_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")  # IPv4-mapped
_V6_COMPAT = ipaddress.IPv6Network("::/96")  # IPv4-compatible (deprecated), includes :: and ::1
_V6_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix
_V6_6TO4 = ipaddress.IPv6Network("2002::/16")
_V6_BLOCKED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "2001::/23",  # IETF protocol assignments: Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
    )
)
# Everything outside 2000::/3 is refused outright: ::1, ::, 64:ff9b:1::/48 (local NAT64),
# 100::/64 (discard), fc00::/7 (unique local, fd00::), fe80::/10 (link-local), fec0::/10
# (site-local), ff00::/8 (multicast).

_IPV4_SPELLING = re.compile(r"[0-9a-fA-FxX.]+")


def parse_ip(value: str | IPAddress) -> IPAddress:
    """An IP address from a literal, read the way the operating system's resolver reads it.

    Accepts ``[::1]`` brackets and the odd IPv4 spellings that ``inet_aton``/``getaddrinfo``
    accept: octal ``0177.0.0.1``, hexadecimal ``0x7f.1``, a single number ``2130706433``, short
    forms ``127.1``. Raises ValueError when ``value`` is not an IP address at all.
    """
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _IPV4_SPELLING.fullmatch(text) and any(c.isdigit() for c in text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            pass
    raise ValueError(f"not an IP address: {value!r}")


def _public_v4(ip: ipaddress.IPv4Address) -> bool:
    return not any(ip in net for net in _V4_BLOCKED) and ip.is_global


def is_public_address(ip: str | IPAddress) -> bool:
    """True when ``ip`` is a public unicast address a feed may live on.

    Refuses loopback, unspecified, private, CGNAT, link-local (cloud metadata), multicast,
    reserved, broadcast, documentation and benchmarking ranges; IPv6 unique-local, link-local,
    site-local and multicast; Teredo; and any IPv4 address embedded in an IPv6 one (mapped,
    compatible, NAT64, 6to4) that would be refused on its own.
    """
    addr = parse_ip(ip)
    if isinstance(addr, ipaddress.IPv4Address):
        return _public_v4(addr)
    if addr.scope_id:
        return False
    if addr in _V6_MAPPED:
        return _public_v4(typing.cast(ipaddress.IPv4Address, addr.ipv4_mapped))
    if addr in _V6_NAT64:
        return _public_v4(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    if addr in _V6_COMPAT:
        return False
    if addr not in _V6_GLOBAL_UNICAST:
        return False
    if addr in _V6_6TO4:
        return _public_v4(typing.cast(ipaddress.IPv4Address, addr.sixtofour))
    if any(addr in net for net in _V6_BLOCKED):
        return False
    return addr.is_global


class BlockedAddressError(Exception):
    """A connection was refused by the SSRF guard (no packet was sent to the address)."""

    def __init__(self, host: str, addresses: Iterable[str], reason: str = "") -> None:
        self.host = host
        self.addresses = tuple(addresses)
        shown = ", ".join(self.addresses) or host
        why = reason or "not a public address"
        super().__init__(f"refused to connect to {host} ({shown}): {why}")


@dataclass(frozen=True)
class AddressGuard:
    """The policy one client applies at connect time.

    ``allow_private``: None reads the ``allow_private_addresses`` setting at every connect (so a
    test's ``monkeypatch.setenv`` takes effect); True/False fixes it for this guard.
    ``allow_endpoints``: exact ``(ip, port)`` pairs permitted even when private. Only tests use
    it: it lets a guarded client reach the test server on 127.0.0.1:PORT while everything else on
    the machine, including another port on 127.0.0.1, stays refused (e.g. a redirect target).
    """

    allow_private: bool | None = None
    allow_endpoints: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    def private_allowed(self) -> bool:
        if self.allow_private is not None:
            return self.allow_private
        return bool(config.get("allow_private_addresses"))

    def permits(self, ip: str | IPAddress, port: int) -> bool:
        addr = parse_ip(ip)
        if (str(addr), port) in self.allow_endpoints:
            return True
        return self.private_allowed() or is_public_address(addr)

    def vetted_addresses(self, host: str, port: int, timeout: float | None = None) -> list[str]:
        """Resolve ``host`` once and return its addresses, in resolver order, if the guard
        permits every one of them.

        A name any of whose addresses is refused is refused whole, rather than connected to on
        its public addresses only: a name that answers both public and private addresses is a
        rebinding or split-horizon set-up, and which address a client ends up on would depend on
        answer order and on which connections fail. Refusing it is predictable and says why.

        Raises ``socket.gaierror`` when the name does not resolve, ``httpcore.ConnectTimeout``
        when the lookup takes longer than ``timeout`` and ``BlockedAddressError`` when any
        address the name resolves to is refused.
        """
        host = host.strip("[]")
        infos = _getaddrinfo(host, port, timeout)
        seen: list[str] = []
        for family, _type, _proto, _canon, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = str(sockaddr[0]).split("%", 1)[0]
            if family == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3]:
                ip = f"{ip}%{sockaddr[3]}"  # scoped (link-local): refused below
            if ip not in seen:
                seen.append(ip)
        usable = [ip for ip in seen if "%" not in ip]  # scoped (link-local): never used
        if self.private_allowed():
            if not usable:
                raise BlockedAddressError(host, seen)
            return usable
        if len(usable) < len(seen) or not all(self.permits(ip, port) for ip in usable):
            raise BlockedAddressError(host, seen)
        public = sum(1 for ip in usable if is_public_address(ip))
        if 0 < public < len(usable):
            # Only a test's allowed endpoint can be non-public here: a name that mixes it with
            # public addresses still points inside and outside at once.
            raise BlockedAddressError(host, seen, "resolves to public and private addresses")
        return usable

    def check_url(self, url: str) -> None:
        """Refuse, before any connection, a URL whose host is an IP literal this guard refuses.

        Catches the odd spellings (``0177.0.0.1``) that an HTTP client may reject as malformed
        URLs before the connect-time check sees them. Host names are left to the connect-time
        check, which resolves them.
        """
        parts = urlsplit(url)
        host = parts.hostname
        if not host:
            return
        try:
            addr = parse_ip(host)
        except ValueError:
            return
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            return
        if not self.permits(addr, port):
            raise BlockedAddressError(host, [str(addr)])


_resolver_lock = threading.Lock()
_resolver: ThreadPoolExecutor | None = None


def _getaddrinfo(host: str, port: int, timeout: float | None) -> list[tuple]:
    """``socket.getaddrinfo`` for a TCP connection, given up after ``timeout`` seconds.

    The system resolver cannot be interrupted, so a name lookup runs on a small pool of helper
    threads and the fetch stops waiting when its time is up (the helper finishes on its own,
    within the resolver's own timeouts). IP literals need no lookup and skip the pool.
    """
    global _resolver
    try:
        parse_ip(host)
        literal = True
    except ValueError:
        literal = False
    if literal or timeout is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    with _resolver_lock:
        if _resolver is None:
            _resolver = ThreadPoolExecutor(max_workers=32, thread_name_prefix="pantau-dns")
    future = _resolver.submit(
        socket.getaddrinfo, host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    try:
        return future.result(timeout=max(timeout, 0.001))
    except FutureTimeout:
        future.cancel()
        raise httpcore.ConnectTimeout(f"DNS lookup for {host} took over {timeout:g} s") from None


def _remaining(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left of the current fetch's deadline."""
    deadline = io_deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        return 0.0
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every wait is cut to the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout = _remaining(timeout)
        if timeout == 0.0:
            raise httpcore.ReadTimeout("fetch deadline exceeded")
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        timeout = _remaining(timeout)
        if timeout == 0.0:
            raise httpcore.WriteTimeout("fetch deadline exceeded")
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _remaining(timeout)
        if timeout == 0.0:
            raise httpcore.ConnectTimeout("fetch deadline exceeded")
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that connects only to addresses the guard has vetted."""

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _remaining(timeout)
        if left == 0.0:
            raise httpcore.ConnectTimeout("fetch deadline exceeded")
        try:
            addresses = self._guard.vetted_addresses(host, port, left)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"DNS lookup failed for {host}: {exc}") from exc
        error: Exception | None = None
        for ip in addresses:
            left = _remaining(timeout)
            if left == 0.0:
                raise httpcore.ConnectTimeout("fetch deadline exceeded")
            try:
                # A literal IP: no second DNS lookup happens here.
                stream = self._inner.connect_tcp(
                    ip,
                    port,
                    timeout=left,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddressError(path, [], "Unix sockets are never used for feeds")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's HTTP transport on a connection pool whose network backend is ``GuardedBackend``.

    It never uses a proxy (a proxy would make the guard check the proxy, not the feed's server).
    Only ``__init__`` differs from ``httpx.HTTPTransport``: request handling is inherited.
    """

    def __init__(
        self,
        guard: AddressGuard | None = None,
        *,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self.guard = guard or AddressGuard()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(self.guard),
        )


_BAD_SCHEMES = ("file", "ftp", "gopher", "javascript", "data", "mailto", "ws", "wss")


def validate_feed_url(url: str) -> str:
    """Check a feed URL typed by a person (CLI, dashboard form); return it normalised.

    Raises ValueError with a message fit to show the user. Accepts only absolute http(s) URLs
    with a host and no credentials; refuses IP literals and ``localhost`` names that the SSRF
    guard would refuse anyway (unless private addresses are allowed). Host names are not looked
    up here: the fetch checks the resolved address when it connects.
    """
    if not isinstance(url, str):
        raise ValueError("a feed URL must be text")
    text = url.strip()
    if not text:
        raise ValueError("the feed URL is empty")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        raise ValueError("a feed URL cannot contain spaces or control characters")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in text:
        if scheme in _BAD_SCHEMES:
            raise ValueError(f"'{scheme}:' URLs are not feeds; use an http:// or https:// URL")
        raise ValueError(
            f"a feed URL must be absolute and start with http:// or https:// (got {text[:80]!r})"
        )
    if scheme not in ("http", "https"):
        raise ValueError(f"'{scheme}:' URLs are not feeds; use an http:// or https:// URL")
    if "@" in parts.netloc:
        raise ValueError("a feed URL cannot carry a user name or password")
    host = parts.hostname
    if not host:
        raise ValueError("the feed URL has no host name")
    try:
        parts.port  # noqa: B018 (parsing the port validates it)
    except ValueError:
        raise ValueError("the feed URL has an invalid port") from None
    guard = AddressGuard()
    if not guard.private_allowed():
        lowered = host.rstrip(".").lower()
        if lowered == "localhost" or lowered.endswith(".localhost"):
            raise ValueError("feeds on this machine (localhost) are not allowed")
        try:
            addr = parse_ip(host)
        except ValueError:
            addr = None
        if addr is not None and not is_public_address(addr):
            raise ValueError(
                f"{host} is not a public address (loopback, private, link-local or reserved); "
                "set PANTAU_ALLOW_PRIVATE_ADDRESSES=1 to allow feeds on your own network"
            )
    try:
        normalised = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ValueError(f"the feed URL is malformed: {exc}") from None
    return str(normalised)
