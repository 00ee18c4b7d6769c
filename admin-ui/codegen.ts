import type { CodegenConfig } from '@graphql-codegen/cli';

// Types come from the public contract only: every conforming server serves these names.
const config: CodegenConfig = {
  schema: '../tests/contract.graphql',
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
