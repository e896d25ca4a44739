cipherscope-pack-signature 1
algorithm: ed25519
key: BHrbbzm3dGZn6BmY/eUFczTM3jnQmwUr9TfoWWi2EXU=
key-id: 85e301e13d66eb64
signature: yWnAbSMTOTvIIi5yc2PUxkYfqdcUp2SqAZYUWXRVF7T+hlNTgvFCvm2wt9+gVxHpNEHVdTMW75nFdZpqER66AA==
