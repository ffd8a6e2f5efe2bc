/*
 * dtls-reference-server: the yardstick dtlsh's performance figures are
 * compared against. A single-threaded C server on OpenSSL 3.0 that serves
 * many DTLS 1.2 peers over one UDP socket, with a custom datagram BIO and a
 * stateless cookie exchange. It takes dtlsh serve's interface, as far as
 * `dtlsh bench --target` needs it:
 *
 *   dtls-reference-server --bind HOST:PORT [--psk IDENTITY:HEXKEY] [--echo]
 *
 * prints "serving DTLS on HOST:PORT: reference" once bound, nothing per
 * handshake, and a totals line on SIGINT/SIGTERM (then exits 0).
 *
 * Design, in the order a datagram meets it:
 *  - One non-blocking socket, read with recvmmsg (BATCH datagrams a call) in
 *    a ppoll loop; the signals are only unblocked inside ppoll, so a SIGINT
 *    can never slip in between the check and the wait.
 *  - Peers live in a chained hash table keyed by source address and port
 *    (a seeded multiplicative hash; table doubles at load factor 1).
 *  - Every SSL has its own BIO of a custom method: read hands OpenSSL the one
 *    datagram being routed (or says "retry"); write copies the datagram into
 *    the loop turn's send queue, which leaves in one sendmmsg once the batch
 *    of received datagrams has been handled (or earlier if the queue fills).
 *  - Unknown sources: a cheap pre-filter (a DTLS handshake record of epoch 0
 *    carrying a ClientHello), then DTLSv1_listen on the one listener SSL.
 *    Cookies are HMAC-SHA256(secret, address || port) from an EVP_MAC context
 *    keyed once and re-initialised per use (no digest fetch, no allocation);
 *    the secret rotates every COOKIE_ROTATE_S and the previous one still
 *    counts. When DTLSv1_listen returns 1 the listener SSL becomes the new
 *    peer (it holds the ClientHello) and a fresh listener is made.
 *  - Known peers: SSL_do_handshake until established, then SSL_read each
 *    record (and SSL_write it back with --echo). close_notify gets our own
 *    close_notify and the peer is freed; so is any fatal error.
 *  - Timers: peers still handshaking are on a list that is scanned every
 *    TICK_MS: DTLSv1_handle_timeout where DTLSv1_get_timeout says expired,
 *    and a handshake older than HANDSHAKE_DEADLINE_MS is dropped.
 *  - Not here: idle eviction (an established peer leaves by close_notify or
 *    a fatal error only, so `bench --vanish` would pile peers up) and any
 *    output per handshake.
 *
 * Build: cc -O2 -Wall -Wextra dtls-reference-server.c $(pkg-config --cflags --libs openssl)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

enum {
    BATCH = 32,                   /* datagrams per recvmmsg */
    SLOT = 1 << 15,               /* receive buffer per datagram; > any DTLS record */
    OUT_MAX = 64,                 /* datagrams per sendmmsg */
    OUT_ARENA = 256 * 1024,       /* bytes queued per sendmmsg */
    MTU = 1400,                   /* SSL_set_mtu, as dtlsh */
    COOKIE_LEN = 32,              /* one SHA-256 output */
    TICK_MS = 100,                /* timer scan period */
    HANDSHAKE_DEADLINE_MS = 30000,
    HALF_OPEN_MAX = 1000,         /* cookie-verified peers still handshaking */
    COOKIE_ROTATE_S = 300,
};

/* Suites in dtlsh's order (TLSConfiguration.swift); the server's preference wins. */
static const char PSK_CIPHERS[] =
    "PSK-AES128-GCM-SHA256:PSK-AES128-CCM8:PSK-AES256-GCM-SHA384:PSK-CHACHA20-POLY1305:"
    "PSK-AES128-CCM:ECDHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-AES128-CBC-SHA256";
static const char CERT_CIPHERS[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES128-CCM";

union addr {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
};

struct peer {
    struct peer *next;               /* hash chain */
    struct peer *hs_prev, *hs_next;  /* handshaking list */
    SSL *ssl;
    const unsigned char *rx;         /* the one datagram BIO read will return */
    size_t rx_len;
    uint64_t hash;
    int64_t started_ms;
    union addr addr;
    socklen_t addrlen;
    unsigned char established, handshaking;
};

/* ---- state (one thread: plain globals) ---- */

static int fd = -1;
static int echo_mode;
static SSL_CTX *ctx;
static BIO_METHOD *bio_method;
static struct peer *listener;
static BIO_ADDR *listen_client;

static struct peer **buckets;
static size_t nbuckets, npeers, max_peers_seen;
static uint64_t hash_seed;

static struct peer *hs_head;
static size_t hs_count;

static EVP_MAC_CTX *cookie_now, *cookie_before;
static int64_t cookie_rotate_at_ms;

static unsigned char psk_key[256];
static size_t psk_key_len;
static char *psk_identity;

static struct {
    uint64_t handshakes, failed, records_in, records_out, dgrams_in, dgrams_out, dropped, cookies, send_errors;
} stats;

static volatile sig_atomic_t stop;

static unsigned char in_buf[BATCH][SLOT];
static struct mmsghdr in_msgs[BATCH];
static struct iovec in_iov[BATCH];
static union addr in_addr[BATCH];

static unsigned char out_arena[OUT_ARENA];
static size_t out_used;
static unsigned out_n;
static struct mmsghdr out_msgs[OUT_MAX];
static struct iovec out_iov[OUT_MAX];
static union addr out_addr[OUT_MAX];

static unsigned char app_buf[16384];

static void die(const char *what)
{
    fprintf(stderr, "dtls-reference-server: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- addresses and the peer table ---- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint64_t addr_hash(const union addr *a)
{
    if (a->sa.sa_family == AF_INET)
        return mix(hash_seed ^ ((uint64_t)a->in.sin_addr.s_addr << 16 | a->in.sin_port));
    uint64_t w[2];
    memcpy(w, &a->in6.sin6_addr, 16);
    return mix(mix(hash_seed ^ w[0]) ^ w[1] ^ a->in6.sin6_port);
}

static int addr_equal(const union addr *a, const union addr *b)
{
    if (a->sa.sa_family != b->sa.sa_family)
        return 0;
    if (a->sa.sa_family == AF_INET)
        return a->in.sin_port == b->in.sin_port && a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
    return a->in6.sin6_port == b->in6.sin6_port
        && memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) == 0;
}

static struct peer *peer_find(const union addr *a, uint64_t h)
{
    for (struct peer *p = buckets[h & (nbuckets - 1)]; p; p = p->next)
        if (p->hash == h && addr_equal(&p->addr, a))
            return p;
    return NULL;
}

static void table_grow(void)
{
    size_t n = nbuckets * 2;
    struct peer **b = calloc(n, sizeof *b);
    if (!b)
        return; /* keep the longer chains */
    for (size_t i = 0; i < nbuckets; i++) {
        for (struct peer *p = buckets[i], *next; p; p = next) {
            next = p->next;
            p->next = b[p->hash & (n - 1)];
            b[p->hash & (n - 1)] = p;
        }
    }
    free(buckets);
    buckets = b;
    nbuckets = n;
}

static void peer_insert(struct peer *p)
{
    if (npeers >= nbuckets)
        table_grow();
    struct peer **slot = &buckets[p->hash & (nbuckets - 1)];
    p->next = *slot;
    *slot = p;
    if (++npeers > max_peers_seen)
        max_peers_seen = npeers;
}

static void hs_link(struct peer *p)
{
    p->handshaking = 1;
    p->hs_prev = NULL;
    p->hs_next = hs_head;
    if (hs_head)
        hs_head->hs_prev = p;
    hs_head = p;
    hs_count++;
}

static void hs_unlink(struct peer *p)
{
    if (!p->handshaking)
        return;
    p->handshaking = 0;
    if (p->hs_prev)
        p->hs_prev->hs_next = p->hs_next;
    else
        hs_head = p->hs_next;
    if (p->hs_next)
        p->hs_next->hs_prev = p->hs_prev;
    hs_count--;
}

/* Unlinks and frees a peer of the table; its queued datagrams still go. */
static void peer_free(struct peer *p)
{
    struct peer **pp = &buckets[p->hash & (nbuckets - 1)];
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    npeers--;
    hs_unlink(p);
    SSL_free(p->ssl); /* frees the BIO too */
    free(p);
}

/* A peer that failed: OpenSSL has queued its alert, if any. */
static void peer_fail(struct peer *p)
{
    stats.failed += !p->established;
    ERR_clear_error();
    peer_free(p);
}

/* ---- sending: one sendmmsg per loop turn ---- */

static void out_flush(void)
{
    unsigned sent = 0;
    while (sent < out_n) {
        int r = sendmmsg(fd, out_msgs + sent, out_n - sent, 0);
        if (r > 0) {
            sent += (unsigned)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            /* EAGAIN, ENOBUFS, an unreachable peer: UDP may lose it; DTLS resends. */
            stats.send_errors++;
            sent++;
        }
    }
    stats.dgrams_out += out_n;
    out_n = 0;
    out_used = 0;
}

static void out_queue(const struct peer *p, const void *data, size_t len)
{
    if (len > OUT_ARENA)
        return; /* cannot happen: OpenSSL writes at most one record of 18 KB */
    if (out_n == OUT_MAX || out_used + len > OUT_ARENA)
        out_flush();
    unsigned i = out_n++;
    memcpy(out_arena + out_used, data, len);
    out_addr[i] = p->addr;
    out_iov[i].iov_base = out_arena + out_used;
    out_iov[i].iov_len = len;
    out_msgs[i].msg_hdr.msg_namelen = p->addrlen;
    out_used += len;
}

/* ---- the datagram BIO: one per SSL, its data is the peer ---- */

static int bio_write_ex(BIO *b, const char *data, size_t len, size_t *written)
{
    out_queue(BIO_get_data(b), data, len); /* one write = one datagram */
    *written = len;
    return 1;
}

static int bio_read_ex(BIO *b, char *buf, size_t size, size_t *readbytes)
{
    struct peer *p = BIO_get_data(b);
    if (!p->rx) {
        BIO_set_retry_read(b);
        *readbytes = 0;
        return 0;
    }
    BIO_clear_retry_flags(b);
    size_t n = p->rx_len < size ? p->rx_len : size; /* truncate like recvfrom */
    memcpy(buf, p->rx, n);
    p->rx = NULL;
    *readbytes = n;
    return 1;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    struct peer *p = BIO_get_data(b);
    (void)num;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1; /* dtls1_do_write treats <= 0 as failure */
    case BIO_CTRL_PENDING:
        return p->rx ? (long)p->rx_len : 0;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return p->addr.sa.sa_family == AF_INET6 ? 48 : 28;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT: /* the timer scan asks DTLSv1_get_timeout */
    case BIO_CTRL_DGRAM_SET_PEER:         /* the address is fixed at admission */
    case BIO_CTRL_DGRAM_CONNECT:
        return 1;
    case BIO_CTRL_DGRAM_GET_PEER: /* DTLSv1_listen only */
        if (p->addr.sa.sa_family == AF_INET)
            return BIO_ADDR_rawmake(ptr, AF_INET, &p->addr.in.sin_addr, 4, p->addr.in.sin_port);
        return BIO_ADDR_rawmake(ptr, AF_INET6, &p->addr.in6.sin6_addr, 16, p->addr.in6.sin6_port);
    default:
        /* WPENDING 0 (nothing buffered), QUERY_MTU 0 (SSL_OP_NO_QUERY_MTU is set:
           never asked), no kTLS, PUSH/POP ignored. */
        return 0;
    }
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int bio_destroy(BIO *b)
{
    BIO_set_data(b, NULL);
    return 1;
}

/* A new SSL with its BIO, wrapped in a peer that has no address yet. */
static struct peer *peer_new(void)
{
    struct peer *p = calloc(1, sizeof *p);
    SSL *ssl = p ? SSL_new(ctx) : NULL;
    BIO *bio = ssl ? BIO_new(bio_method) : NULL;
    if (!bio) {
        SSL_free(ssl);
        free(p);
        return NULL;
    }
    BIO_set_data(bio, p);
    SSL_set_bio(ssl, bio, bio); /* one reference, used both ways */
    SSL_set_mtu(ssl, MTU);      /* kept across DTLSv1_listen's SSL_clear: NO_QUERY_MTU is set */
    p->ssl = ssl;
    return p;
}

/* ---- cookies ---- */

static EVP_MAC_CTX *keyed_hmac(void)
{
    unsigned char secret[32];
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    if (!c || RAND_bytes(secret, sizeof secret) != 1 || !EVP_MAC_init(c, secret, sizeof secret, params))
        die("cannot key HMAC-SHA256 for cookies");
    OPENSSL_cleanse(secret, sizeof secret);
    return c;
}

static void cookie_rotate(int64_t now)
{
    EVP_MAC_CTX_free(cookie_before);
    cookie_before = cookie_now;
    cookie_now = keyed_hmac();
    cookie_rotate_at_ms = now + COOKIE_ROTATE_S * 1000;
}

/* HMAC(secret, address || port); re-init with no key restores the keyed state. */
static int cookie_compute(EVP_MAC_CTX *c, const union addr *a, unsigned char out[COOKIE_LEN])
{
    unsigned char in[18];
    size_t n;
    if (a->sa.sa_family == AF_INET) {
        memcpy(in, &a->in.sin_addr, 4);
        memcpy(in + 4, &a->in.sin_port, 2);
        n = 6;
    } else {
        memcpy(in, &a->in6.sin6_addr, 16);
        memcpy(in + 16, &a->in6.sin6_port, 2);
        n = 18;
    }
    size_t len = 0;
    return EVP_MAC_init(c, NULL, 0, NULL) && EVP_MAC_update(c, in, n)
        && EVP_MAC_final(c, out, &len, COOKIE_LEN) && len == COOKIE_LEN;
}

static int cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
    const struct peer *p = BIO_get_data(SSL_get_rbio(ssl));
    if (!cookie_compute(cookie_now, &p->addr, cookie))
        return 0;
    *len = COOKIE_LEN; /* OpenSSL's buffer holds DTLS1_COOKIE_LENGTH (255) */
    stats.cookies++;
    return 1;
}

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
    const struct peer *p = BIO_get_data(SSL_get_rbio(ssl));
    unsigned char want[COOKIE_LEN];
    if (len != COOKIE_LEN)
        return 0;
    if (cookie_compute(cookie_now, &p->addr, want) && CRYPTO_memcmp(want, cookie, COOKIE_LEN) == 0)
        return 1;
    return cookie_before && cookie_compute(cookie_before, &p->addr, want)
        && CRYPTO_memcmp(want, cookie, COOKIE_LEN) == 0;
}

/* ---- credentials ---- */

static unsigned int psk_server(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max)
{
    (void)ssl;
    if (!identity || strcmp(identity, psk_identity) != 0 || psk_key_len > max)
        return 0; /* OpenSSL answers unknown_psk_identity */
    memcpy(psk, psk_key, psk_key_len);
    return (unsigned int)psk_key_len;
}

static void use_generated_certificate(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    if (!key || !x)
        die("cannot make a P-256 key");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"dtls-reference-server", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    if (!X509_sign(x, key, EVP_sha256()) || SSL_CTX_use_certificate(ctx, x) != 1
        || SSL_CTX_use_PrivateKey(ctx, key) != 1)
        die("cannot make a self-signed certificate");
    X509_free(x);
    EVP_PKEY_free(key);
}

static void make_context(int psk)
{
    ctx = SSL_CTX_new(DTLS_server_method());
    if (!ctx)
        die("SSL_CTX_new");
    SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
    /* As dtlsh: MTU set by us, no tickets or renegotiation, no EtM (CBC only). */
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION
                                 | SSL_OP_NO_ENCRYPT_THEN_MAC | SSL_OP_COOKIE_EXCHANGE
                                 | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (SSL_CTX_set_cipher_list(ctx, psk ? PSK_CIPHERS : CERT_CIPHERS) != 1)
        die("no usable cipher suite");
    if (psk)
        SSL_CTX_set_psk_server_callback(ctx, psk_server);
    else
        use_generated_certificate();
    SSL_CTX_set_cookie_generate_cb(ctx, cookie_generate);
    SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify);

    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "reference-dgram");
    if (!bio_method || !BIO_meth_set_write_ex(bio_method, bio_write_ex)
        || !BIO_meth_set_read_ex(bio_method, bio_read_ex) || !BIO_meth_set_ctrl(bio_method, bio_ctrl)
        || !BIO_meth_set_create(bio_method, bio_create) || !BIO_meth_set_destroy(bio_method, bio_destroy))
        die("BIO_meth_new");
}

/* ---- driving peers ---- */

/* Steps a peer with p->rx (possibly NULL) as its one pending datagram. */
static void peer_drive(struct peer *p)
{
    SSL *ssl = p->ssl;
    if (!p->established) {
        int r = SSL_do_handshake(ssl);
        if (r <= 0) {
            if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ)
                peer_fail(p);
            else
                p->rx = NULL;
            return;
        }
        p->established = 1;
        hs_unlink(p);
        stats.handshakes++;
        /* The datagram may hold records after Finished: read on. */
    }
    for (;;) {
        int r = SSL_read(ssl, app_buf, sizeof app_buf);
        if (r > 0) {
            stats.records_in++;
            if (echo_mode) {
                if (SSL_write(ssl, app_buf, r) != r) {
                    peer_fail(p);
                    return;
                }
                stats.records_out++;
            }
            continue;
        }
        switch (SSL_get_error(ssl, r)) {
        case SSL_ERROR_WANT_READ:
            p->rx = NULL;
            return;
        case SSL_ERROR_ZERO_RETURN: /* close_notify: answer it, forget the peer */
            SSL_shutdown(ssl);
            ERR_clear_error();
            peer_free(p);
            return;
        default:
            peer_fail(p);
            return;
        }
    }
}

/* A record header of a handshake record, epoch 0, carrying a ClientHello. */
static int looks_like_client_hello(const unsigned char *d, size_t n)
{
    return n >= 13 + 12 && d[0] == 22 && d[1] == 0xfe && d[3] == 0 && d[4] == 0 && d[13] == 1;
}

/* A ClientHello from an address with no peer, or one that restarts (RFC 6347 4.2.8). */
static void admit(const union addr *a, socklen_t alen, uint64_t h, const unsigned char *d, size_t n,
                  struct peer *old)
{
    if (hs_count >= HALF_OPEN_MAX) {
        stats.dropped++;
        return;
    }
    struct peer *l = listener;
    l->addr = *a;
    l->addrlen = alen;
    l->rx = d;
    l->rx_len = n;
    int r = DTLSv1_listen(l->ssl, listen_client);
    l->rx = NULL;
    if (r == 0) { /* HelloVerifyRequest queued, or the datagram dropped */
        ERR_clear_error();
        return;
    }
    struct peer *fresh = peer_new();
    if (r < 0 || !fresh) {
        /* The listener may be in any state: start over with a new one. */
        ERR_clear_error();
        if (fresh) {
            SSL_free(l->ssl);
            free(l);
            listener = fresh;
        }
        return;
    }
    listener = fresh;
    if (old)
        peer_free(old); /* the client started over from the same address */
    l->hash = h;
    l->started_ms = now_ms();
    peer_insert(l);
    hs_link(l);
    peer_drive(l); /* SSL_accept on the ClientHello DTLSv1_listen kept */
}

static void on_datagram(const union addr *a, socklen_t alen, const unsigned char *d, size_t n)
{
    uint64_t h = addr_hash(a);
    struct peer *p = peer_find(a, h);
    if (p && !(p->established && looks_like_client_hello(d, n))) {
        p->rx = d;
        p->rx_len = n;
        peer_drive(p);
    } else if (looks_like_client_hello(d, n)) {
        admit(a, alen, h, d, n, p);
    } else {
        stats.dropped++;
    }
}

/* Retransmissions and dead handshakes. */
static void tick(int64_t now)
{
    for (struct peer *p = hs_head, *next; p; p = next) {
        next = p->hs_next;
        if (now - p->started_ms > HANDSHAKE_DEADLINE_MS) {
            peer_fail(p);
            continue;
        }
        struct timeval tv;
        if (DTLSv1_get_timeout(p->ssl, &tv) == 1 && tv.tv_sec == 0 && tv.tv_usec == 0
            && DTLSv1_handle_timeout(p->ssl) < 0)
            peer_fail(p); /* 12 timeouts: OpenSSL gave up */
    }
    if (now >= cookie_rotate_at_ms)
        cookie_rotate(now);
}

/* ---- socket, arguments, main loop ---- */

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int parse_address(const char *text, union addr *out, socklen_t *outlen)
{
    char host[256];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host)
        return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = 0;
    char *h = host;
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h[hl - 1] = 0;
        h++;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                              .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
    struct addrinfo *res;
    if (getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res) != 0)
        return 0;
    int ok = res->ai_addrlen <= sizeof *out;
    if (ok) {
        memcpy(out, res->ai_addr, res->ai_addrlen);
        *outlen = res->ai_addrlen;
    }
    freeaddrinfo(res);
    return ok;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_psk(char *text)
{
    char *colon = strrchr(text, ':');
    if (!colon || colon == text)
        return 0;
    *colon = 0;
    psk_identity = text;
    const char *hex = colon + 1;
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 > sizeof psk_key)
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        psk_key[i] = (unsigned char)(hi << 4 | lo);
    }
    psk_key_len = n / 2;
    return 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: dtls-reference-server --bind HOST:PORT [--psk IDENTITY:HEXKEY] [--echo]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *bind_text = "127.0.0.1:4433";
    int psk = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc)
            bind_text = argv[++i];
        else if (strcmp(argv[i], "--psk") == 0 && i + 1 < argc && parse_psk(argv[i + 1]))
            psk = 1, i++;
        else if (strcmp(argv[i], "--echo") == 0)
            echo_mode = 1;
        else
            usage();
    }

    union addr local;
    socklen_t local_len;
    if (!parse_address(bind_text, &local, &local_len))
        usage();
    fd = socket(local.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    int on = 1, size = 4 << 20; /* room for bursts of flights, as dtlsh */
    if (local.sa.sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    if (bind(fd, &local.sa, local_len) != 0) {
        perror("bind");
        return 1;
    }
    local_len = sizeof local;
    getsockname(fd, &local.sa, &local_len);

    make_context(psk);
    if (RAND_bytes((unsigned char *)&hash_seed, sizeof hash_seed) != 1)
        die("RAND_bytes");
    cookie_rotate(now_ms());
    listen_client = BIO_ADDR_new();
    listener = peer_new();
    nbuckets = 1024;
    buckets = calloc(nbuckets, sizeof *buckets);
    if (!listen_client || !listener || !buckets)
        die("out of memory");

    for (int i = 0; i < BATCH; i++) {
        in_iov[i].iov_base = in_buf[i];
        in_iov[i].iov_len = SLOT;
        in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
        in_msgs[i].msg_hdr.msg_iovlen = 1;
        in_msgs[i].msg_hdr.msg_name = &in_addr[i];
    }
    for (int i = 0; i < OUT_MAX; i++) {
        out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
        out_msgs[i].msg_hdr.msg_iovlen = 1;
        out_msgs[i].msg_hdr.msg_name = &out_addr[i];
    }

    /* Signals stay blocked except inside ppoll. */
    sigset_t block, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char host[INET6_ADDRSTRLEN];
    if (local.sa.sa_family == AF_INET) {
        inet_ntop(AF_INET, &local.in.sin_addr, host, sizeof host);
        printf("serving DTLS on %s:%u: reference\n", host, ntohs(local.in.sin_port));
    } else {
        inet_ntop(AF_INET6, &local.in6.sin6_addr, host, sizeof host);
        printf("serving DTLS on [%s]:%u: reference\n", host, ntohs(local.in6.sin6_port));
    }
    fflush(stdout);

    int64_t next_tick = now_ms() + TICK_MS;
    while (!stop) {
        /* Wake for the timer scan only while someone is handshaking. */
        int64_t now = now_ms();
        int64_t wait = hs_head ? next_tick - now : cookie_rotate_at_ms - now;
        if (wait < 0)
            wait = 0;
        struct timespec ts = { .tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000 };
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = ppoll(&pfd, 1, &ts, &wait_mask);
        if (ready < 0 && errno != EINTR)
            die("ppoll");
        if (ready > 0) {
            for (;;) {
                for (int i = 0; i < BATCH; i++) {
                    in_msgs[i].msg_hdr.msg_namelen = sizeof in_addr[i];
                    in_msgs[i].msg_hdr.msg_flags = 0;
                }
                int n = recvmmsg(fd, in_msgs, BATCH, 0, NULL);
                if (n <= 0)
                    break; /* EAGAIN: drained */
                stats.dgrams_in += (uint64_t)n;
                for (int i = 0; i < n; i++) {
                    struct msghdr *m = &in_msgs[i].msg_hdr;
                    if (m->msg_flags & MSG_TRUNC) {
                        stats.dropped++;
                        continue;
                    }
                    on_datagram(&in_addr[i], m->msg_namelen, in_buf[i], in_msgs[i].msg_len);
                }
                out_flush();
                if (n < BATCH)
                    break;
                if (hs_head && now_ms() >= next_tick)
                    break; /* let the timers run under a flood */
            }
        }
        now = now_ms();
        if (now >= next_tick || now >= cookie_rotate_at_ms) {
            tick(now);
            out_flush();
            next_tick = now + TICK_MS;
        }
    }

    /* Close every association politely, then report. */
    for (size_t i = 0; i < nbuckets; i++) {
        for (struct peer *p = buckets[i], *next; p; p = next) {
            next = p->next;
            if (p->established)
                SSL_shutdown(p->ssl);
            peer_free(p);
        }
    }
    out_flush();
    printf("totals: %llu handshakes completed, %llu failed, %llu records in, %llu out, "
           "%llu datagrams in, %llu out, %llu dropped, %llu cookies sent, %llu send errors, "
           "at most %zu peers at once\n",
           (unsigned long long)stats.handshakes, (unsigned long long)stats.failed,
           (unsigned long long)stats.records_in, (unsigned long long)stats.records_out,
           (unsigned long long)stats.dgrams_in, (unsigned long long)stats.dgrams_out,
           (unsigned long long)stats.dropped, (unsigned long long)stats.cookies,
           (unsigned long long)stats.send_errors, max_peers_seen);
    fflush(stdout);
    SSL_free(listener->ssl);
    free(listener);
    BIO_ADDR_free(listen_client);
    EVP_MAC_CTX_free(cookie_now);
    EVP_MAC_CTX_free(cookie_before);
    SSL_CTX_free(ctx);
    BIO_meth_free(bio_method);
    free(buckets);
    close(fd);
    return 0;
}
