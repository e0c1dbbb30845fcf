"""schema_check.py SCHEMA EXPECT FILE...: validates YAML files against vfioc's JSON Schema
with the jsonschema package (an independent implementation of draft 2020-12), reading YAML
the way yaml-language-server does (YAML 1.2 core schema: 01:00.0 is a string, not the
YAML 1.1 sexagesimal 60.0). EXPECT is 'valid' or 'invalid'; prints one line per file."""
import json
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema ints, floats and booleans."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in (
        'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool')]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:bool', re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'),
    list('tTfF'))
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:int', re.compile(r'^[-+]?[0-9]+$'), list('-+0123456789'))
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:float',
    re.compile(r'^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$'),
    list('-+0123456789.'))


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    want_valid = sys.argv[2] == 'valid'
    for path in sys.argv[3:]:
        doc = yaml.load(open(path, encoding='utf-8'), Loader=Yaml12Loader)
        errors = [e.message for e in validator.iter_errors(doc)]
        if bool(errors) != want_valid:
            print('ok', path)
        else:
            print('FAIL', path, '; '.join(errors) if errors else 'accepted')


main()
