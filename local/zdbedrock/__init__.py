"""A Converse-API **emulator** for the local stack. It is not Amazon Bedrock and has no model.

It answers ``POST /model/{modelId}/converse`` as Bedrock's runtime does on the wire (REST-JSON,
SigV4-signed requests, Bedrock's error codes and HTTP statuses, ``toolUse`` content blocks and
stop reasons), so the real boto3 ``bedrock-runtime`` client and the product's Bedrock engine
run end to end without an AWS account. Its "model" is deterministic and dumb on purpose: it picks
the ``<passage>`` of the prompt that shares most words with the customer's email and returns it
as the answer, citing its id. That proves the protocol, the error mapping and the grounding
checks, not language quality.

Control routes (not Bedrock's), like the Zendesk sandbox's faults:
``POST /_emulator/faults {"kind", "times"?, "delay_ms"?}`` queues misbehaviours (an error code
such as ``ThrottlingException``, or ``refusal``, ``cite_unknown``, ``invented_figure``,
``malformed``, ``max_tokens``, ``content_filtered``, ``guardrail``, ``delay``);
``DELETE /_emulator/faults`` clears them; ``GET /_emulator/calls`` lists the requests received.
"""
