"""accord_client: a partner's Python client of the Accord broker, and the
grant verifier a data service uses.

    from accord_client import AccordClient
    client = AccordClient.connect("broker:7443", ca_file="ca.pem",
                                  cert_file="partner.pem", key_file="partner.key")
    grant = client.request_grant("rennes.energy.household-consumption",
                                 "research-and-development", "data.rennes.example",
                                 subjects=[pseudonym]).grant
"""
from accord_client.channel import mtls_channel, read_pem
from accord_client.client import AccordClient, RevocationStream
from accord_client.errors import (AccessDenied, AccordError, ConfigurationError,
                                  RpcError, VerificationError)
from accord_client.jwks import JwksSource
from accord_client.models import (BatchResult, Decision, Duty, Explanation, Grant,
                                  GrantRequest, GrantResponse, Reason, Revocation)
from accord_client.revocations import RevocationWatcher, RevokedGrants
from accord_client.verifier import (GrantVerifier, VerifiedGrant, broker_keys_loader,
                                    certificate_thumbprint)

__all__ = [
    "AccessDenied", "AccordClient", "AccordError", "BatchResult", "ConfigurationError",
    "Decision", "Duty", "Explanation", "Grant", "GrantRequest", "GrantResponse", "GrantVerifier",
    "JwksSource", "Reason", "Revocation", "RevocationStream", "RevocationWatcher",
    "RevokedGrants", "RpcError", "VerificationError", "VerifiedGrant",
    "broker_keys_loader", "certificate_thumbprint", "mtls_channel", "read_pem",
]
