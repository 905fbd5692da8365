"""Deployment: the CloudFormation templates of infra/cloudformation/, deployed to AWS
through change sets (`lakehouse deploy`) or to a local moto server and checked resource
by resource (`lakehouse deploy-local`, `make deploy-local`)."""
