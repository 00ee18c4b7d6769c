import type { CodegenConfig } from '@graphql-codegen/cli';

// Types come from the public contract (every conforming server serves these names)
// and the few additions this repository's server serves beyond it, checked by its contract test.
const config: CodegenConfig = {
  schema: ['../tests/contract.graphql', '../tests/contract-additions.graphql'],
  documents: ['src/graphql/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Operations as plain strings: no GraphQL parser in the browser bundle.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', Upload: 'File' },
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
};
export default config;
