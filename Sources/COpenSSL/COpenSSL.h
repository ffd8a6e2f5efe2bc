/*
 * The C boundary to OpenSSL 3.0: every wrapper here exists because Swift cannot
 * import the thing it wraps (a function-like macro, or an SSL_OP_BIT constant).
 * One wrapper per macro, named COpenSSL_<C name>, and no logic.
 */
#ifndef DTLSH_COPENSSL_H
#define DTLSH_COPENSSL_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/srtp.h>
#include <sys/time.h>

/* DTLS timers and MTU */
static inline long COpenSSL_DTLSv1_get_timeout(SSL *s, struct timeval *tv) { return DTLSv1_get_timeout(s, tv); }
static inline long COpenSSL_DTLSv1_handle_timeout(SSL *s) { return DTLSv1_handle_timeout(s); }
static inline long COpenSSL_SSL_set_mtu(SSL *s, long mtu) { return SSL_set_mtu(s, mtu); }
static inline long COpenSSL_DTLS_set_link_mtu(SSL *s, long mtu) { return DTLS_set_link_mtu(s, mtu); }

/* SSL_CTX settings */
static inline long COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *c, int v) { return SSL_CTX_set_min_proto_version(c, v); }
static inline long COpenSSL_SSL_CTX_set_max_proto_version(SSL_CTX *c, int v) { return SSL_CTX_set_max_proto_version(c, v); }
static inline long COpenSSL_SSL_CTX_set_mode(SSL_CTX *c, long m) { return SSL_CTX_set_mode(c, m); }
static inline long COpenSSL_SSL_CTX_set_session_cache_mode(SSL_CTX *c, long m) { return SSL_CTX_set_session_cache_mode(c, m); }
static inline long COpenSSL_SSL_CTX_set_max_send_fragment(SSL_CTX *c, long n) { return SSL_CTX_set_max_send_fragment(c, n); }
static inline long COpenSSL_SSL_CTX_set_dh_auto(SSL_CTX *c, long on) { return SSL_CTX_set_dh_auto(c, on); }
static inline int COpenSSL_SSL_CTX_set_app_data(SSL_CTX *c, void *d) { return SSL_CTX_set_app_data(c, d); }
static inline void *COpenSSL_SSL_CTX_get_app_data(const SSL_CTX *c) { return SSL_CTX_get_app_data(c); }

/* per-SSL context for callbacks */
static inline int COpenSSL_SSL_set_app_data(SSL *s, void *d) { return SSL_set_app_data(s, d); }
static inline void *COpenSSL_SSL_get_app_data(const SSL *s) { return SSL_get_app_data(s); }
static inline void COpenSSL_SSL_set_msg_callback_arg(SSL *s, void *arg) { SSL_set_msg_callback_arg(s, arg); }

/* BIO retry flags */
static inline void COpenSSL_BIO_set_retry_read(BIO *b) { BIO_set_retry_read(b); }
static inline void COpenSSL_BIO_clear_retry_flags(BIO *b) { BIO_clear_retry_flags(b); }
static inline int COpenSSL_BIO_wpending(BIO *b) { return (int)BIO_wpending(b); }

/* STACK_OF(SSL_CIPHER) accessors are generated macros */
static inline int COpenSSL_sk_SSL_CIPHER_num(const STACK_OF(SSL_CIPHER) *sk) { return sk_SSL_CIPHER_num(sk); }
static inline const SSL_CIPHER *COpenSSL_sk_SSL_CIPHER_value(const STACK_OF(SSL_CIPHER) *sk, int i) { return sk_SSL_CIPHER_value(sk, i); }

/* memory */
static inline void COpenSSL_OPENSSL_free(void *p) { OPENSSL_free(p); }

/* SSL_OP_* are SSL_OP_BIT(n) expressions, which Swift cannot import. */
static inline uint64_t COpenSSL_SSL_OP_NO_QUERY_MTU(void) { return SSL_OP_NO_QUERY_MTU; }
static inline uint64_t COpenSSL_SSL_OP_COOKIE_EXCHANGE(void) { return SSL_OP_COOKIE_EXCHANGE; }
static inline uint64_t COpenSSL_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t COpenSSL_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t COpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t COpenSSL_SSL_OP_NO_ENCRYPT_THEN_MAC(void) { return SSL_OP_NO_ENCRYPT_THEN_MAC; }

#endif
