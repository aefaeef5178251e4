"""ARM template deployments: the template language and the engine that deploys a template.

- `language.py`   the `[...]` expression syntax: tokens, parse tree, `[[` escaping
- `evaluator.py`  evaluating parse trees and JSON values with expressions in them (`Scope`)
- `functions.py`  the template function library (`concat`, `resourceId`, `copyIndex`, ...)
- `hashing.py`    `uniqueString`'s and the template hash's MurmurHash64
- `positions.py`  line and column of a JSON path in the request text, for template errors
- `errors.py`     template errors with Azure's codes and messages
- `template.py`   a template bound to one deployment: parameters, variables, outputs
- `plan.py`       the template's resources as nodes: copy loops, child types, ids, dependencies
- `runner.py`     deploying the nodes through the ARM engine's write path, in dependency order
- `whatif.py`     the predicted changes of a deployment
- `views.py`      the deployment and deployment-operation bodies Azure answers

The REST resource (`Microsoft.Resources/deployments`) is `azemu/providers/resources.py`; it
registers with the ARM engine like every other type. See emulator/README.md for what is
supported.
"""
